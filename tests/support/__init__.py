"""Helpers for the endpoint tests: start ``policykg serve`` for real on 127.0.0.1, and small data sets."""
