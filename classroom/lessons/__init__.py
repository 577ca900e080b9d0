"""E-safety lessons: content read from lessons/*.toml, one version per pathway."""
