"""Receipts, invoices and packing slips: templates, order data, ESC/POS bytes (no Qt).

`content` turns an order into the named values a template uses; `template` fills an HTML
template with them (every value escaped); `store` keeps the edited templates, the printer
profile of each document type and the shop details; `escpos` encodes a rendered image as
ESC/POS raster and sends it; `cups` reads a CUPS queue's state. Rendering the HTML (to a
printer, a PDF or an image) is Qt's job: `primedist.ui.printing`.
"""
