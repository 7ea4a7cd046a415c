"""Code generator for gemini-sdk: official OpenAPI -> spec/ (import), spec/ -> generated/ (generate)."""
