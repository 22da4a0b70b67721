def register_oidc(app): pass
