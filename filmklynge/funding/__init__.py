"""Grants and what matches them: funders, grants with tranches and disbursements, in-kind work
and its rates, events with attendance, co-funding per grant and year, the funder's report."""
