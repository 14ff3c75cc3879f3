"""Tests of the Products tab."""
