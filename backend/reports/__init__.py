"""Reports: the anonymised impact report of an organisation over a period."""
