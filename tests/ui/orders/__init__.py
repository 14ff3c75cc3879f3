"""Tests of the Orders tab."""
