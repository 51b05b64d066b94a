/// Run reports: report.json and a self-contained report.html with inline SVG plots.
public enum TesseraReport {}
