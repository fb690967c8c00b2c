"""Stage 4, views: charts, tables, decision views, methodology, the plotly offline helper,
widgets and the text summary. Reads the three stages below; nothing below imports it.
"""
