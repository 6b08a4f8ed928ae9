"""The log audit: counting access logs, judging each distinct User-Agent once, reporting.

`browsercheck.audit()` is the entry point; the modules here are its steps.
"""
