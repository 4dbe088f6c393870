"""Single sign-on with organisations' OpenID providers (authorization code flow, PKCE)."""
