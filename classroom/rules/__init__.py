"""The school's rules for responsible internet use: on display, spoken, and printed."""
