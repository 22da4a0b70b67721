"""Organisation-register maintenance: checking and loading upload files, the event log, the daily export."""
