"""General-Level reports: Markdown, self-contained HTML, CSV and their figures."""

from lmms_general.reports.csv_report import write_csv
from lmms_general.reports.html import render_html, write_html
from lmms_general.reports.markdown import write_markdown
from lmms_general.reports.tables import ModelReport, leaderboard

__all__ = ["ModelReport", "leaderboard", "render_html", "write_csv", "write_html", "write_markdown"]
