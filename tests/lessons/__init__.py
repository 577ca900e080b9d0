"""Tests for lesson content, its loader and the lessons CLI."""
