"""What every form of the portal shares: the base forms (``base``) and the validators (``validators``)."""
