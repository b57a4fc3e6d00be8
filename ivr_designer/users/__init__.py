"""People who sign in, and what each role may do to them."""
