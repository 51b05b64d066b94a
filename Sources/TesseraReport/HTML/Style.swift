/// The page's only stylesheet, inline. Local system fonts only; no URL anywhere.
/// Contains no "<" or "&", so it is valid XML character data as it stands.
enum Style {
    static let css = """
    :root { --ink: #1d1d1f; --muted: #5f6368; --rule: #d9d9de; --band: #f5f6f8; --pass: #1b7f3b; --fail: #b3261e; --na: #6b6b6b; }
    * { box-sizing: border-box; }
    body { margin: 0; color: var(--ink); background: #ffffff; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    main { max-width: 1080px; margin: 0 auto; padding: 28px 36px 48px; }
    header.run { border-bottom: 2px solid var(--ink); padding-bottom: 16px; margin-bottom: 8px; }
    .eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 11px; color: var(--muted); margin: 0; }
    h1 { font-size: 26px; margin: 2px 0 6px; line-height: 1.25; }
    h2 { font-size: 19px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
    h3 { font-size: 15px; margin: 18px 0 6px; }
    p.lede { margin: 0 0 14px; color: #333; max-width: 820px; }
    .verdict { display: inline-block; font-weight: 700; font-size: 13px; letter-spacing: 0.04em; padding: 3px 10px; border-radius: 4px; border: 2px solid; margin-right: 10px; }
    .verdict.passed { color: var(--pass); border-color: var(--pass); }
    .verdict.failed { color: var(--fail); border-color: var(--fail); }
    .verdict.notAudited { color: var(--na); border-color: var(--na); }
    .verdict-detail { color: #333; }
    dl.meta { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px 20px; margin: 16px 0 0; }
    dl.meta div { min-width: 0; }
    dl.meta div.wide { grid-column: span 2; }
    dl.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
    dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
    .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; font-weight: 400; }
    nav.toc { margin: 12px 0 4px; font-size: 13px; color: var(--muted); }
    nav.toc a { color: #0b57d0; text-decoration: none; margin-right: 14px; }
    section { margin-top: 30px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; }
    .card { background: var(--band); border-left: 4px solid #0072B2; padding: 10px 12px; }
    .card.warn { border-left-color: #D55E00; }
    .card.ok { border-left-color: #009E73; }
    .card .k { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
    .card .v { font-size: 20px; font-weight: 700; line-height: 1.3; }
    .card .s { font-size: 12px; color: #444; }
    figure { margin: 12px 0 18px; }
    figure.small-multiples { display: flex; flex-wrap: wrap; gap: 12px 18px; }
    figure.small-multiples figcaption { flex-basis: 100%; }
    .panel { border: 1px solid var(--rule); padding: 8px 6px 2px; }
    .panel-title { font-weight: 600; font-size: 13px; padding-left: 6px; }
    figcaption { font-size: 12.5px; color: var(--muted); margin-top: 4px; max-width: 820px; }
    svg.chart { display: block; max-width: 100%; height: auto; }
    table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0; font-variant-numeric: tabular-nums; }
    caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
    th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
    thead th { border-bottom: 2px solid var(--ink); font-size: 12px; background: #ffffff; }
    tbody tr:nth-child(even) { background: var(--band); }
    td.num, th.num { text-align: right; white-space: nowrap; }
    td .err { color: var(--muted); }
    td.suppressed { color: #9a9a9a; font-style: italic; background: repeating-linear-gradient(135deg, transparent 0 6px, #eeeeee 6px 8px); }
    td.yes { color: var(--pass); font-weight: 600; }
    td.no { color: var(--fail); font-weight: 600; }
    .more { font-size: 12.5px; color: var(--muted); margin: 4px 0 0; }
    .none { color: var(--muted); font-style: italic; }
    ul.notes li { margin: 4px 0; }
    footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--rule); font-size: 12px; color: var(--muted); }
    @media (max-width: 760px) {
      main { padding: 16px; }
      dl.meta { grid-template-columns: repeat(2, minmax(0, 1fr)); }
    }
    @media print {
      main { max-width: none; padding: 0; }
      nav.toc { display: none; }
      section, figure, tr { break-inside: avoid; }
      h2 { break-after: avoid; }
      tbody tr:nth-child(even) { background: none; }
      .card { border: 1px solid var(--rule); border-left-width: 4px; }
    }
    """
}
