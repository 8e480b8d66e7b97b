"""Security: users, sessions, tokens, roles by region, protected personal data, audit."""
