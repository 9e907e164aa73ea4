"""Tests of the knowledge package."""
