"""Producers, products and their OCOP certificates, buyers, and the OCOP reference data."""
