"""The summary of an event (sammanställning): every interview with its outcome, grouped by
interviewer, with totals; shown as a page (and its print stylesheet), a PDF and a CSV file.

- model.py: pure logic: outcomes, lengths, grouping, sorting, totals, who may see it when
- lengths.py: how long an interview's call lasted (the time talked), or that it is not known
- queries.py: the SQL that reads an event's interviews, ratings, answers and candidates
- csv_file.py: the CSV file for spreadsheets, a length not known left empty and said why
- formats.py: the PDF's rendering in a worker process (fonts embedded)
- script_fonts.py: the PDF's runs of letters DejaVu Sans lacks, set in fonts that have them
"""
