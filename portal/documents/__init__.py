"""Versioned documents a customer accepts or signs (service descriptions, the commitment to Kanta
customership), the signatures, and the PDF copies of applications."""
