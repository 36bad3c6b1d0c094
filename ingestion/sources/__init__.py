"""One dlt source per source system, in the dlt verified-sources layout."""
