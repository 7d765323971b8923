"""Reading a submission: pre-flight guard on the bytes, the workbook adapter (the only
importer of openpyxl), references, charts and formats."""
