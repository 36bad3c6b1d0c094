"""Query functions of the app's pages: plain functions returning DataFrames from the published snapshot."""
