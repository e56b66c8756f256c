"""The performance benchmark (issue 6): see bench/README.md. Not part of the site."""
