"""Tests of the Settings pages."""
