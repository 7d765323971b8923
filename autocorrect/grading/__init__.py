"""Grading one submission: locate answers, read them in the rubric's units, judge, score,
gather evidence. `pipeline.grade_workbook` lists the steps."""
