def load_signed_in(): pass
