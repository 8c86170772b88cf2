"""The park's period work: peers, changes, trends, the shortlist, the programme and the exports.

What a park does with many firms' results over quarters: averages to set a firm against,
like-for-like change, trends over every stored period, the quarterly summary and its shortlist,
adoption of recommended scenarios, recognition candidates, the work summary (工作简报), and the
results workbook and CSV.
"""
