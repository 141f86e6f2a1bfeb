"""The inline stylesheet of the HTML validation report (no fonts or files from the network)."""

CSS_DETAILS = (
    "details{margin:6px 0 14px}details>summary{cursor:pointer;color:#3e4c59;font-weight:600;padding:6px 0}"
)
CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f6f8;color:#1f2933;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:24px 28px 48px}
.scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.scroll table.checks{min-width:900px}
.box{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:10px 14px;margin:14px 0}
.box h2{margin:0 0 8px;font-size:15px}.box ol{margin:0;padding-left:22px}.box li{margin:4px 0;overflow-wrap:anywhere}
.box.ok p{margin:0;color:#1e7b34}
table.figures{table-layout:auto;border:0}table.figures td.fig{overflow-wrap:break-word;min-width:7em}
table.figures td.num{white-space:nowrap}
.verdict .facts{font-size:13px;opacity:.9;margin-top:2px}
h1{font-size:22px;margin:0 0 4px;font-weight:650;letter-spacing:-.01em}
h2{font-size:17px;margin:32px 0 10px;font-weight:650}
a{color:inherit}
.muted{color:#616e7c}.small{font-size:12px}
.verdict{display:flex;align-items:center;gap:20px;border-radius:10px;padding:14px 22px;color:#fff;margin:14px 0}
.verdict.pass{background:#1e7b34}.verdict.fail{background:#b42318}
.verdict .word{font-size:34px;font-weight:800;letter-spacing:.06em}
.verdict .what{font-size:15px;opacity:.95}
.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:6px 18px;margin:8px 0 0;
padding:0}
.meta div{min-width:0}.meta .wide{grid-column:span 2}
.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#616e7c}
.meta dd{margin:0;font-weight:550;overflow-wrap:anywhere}
.warn{color:#b42318;font-weight:700}
.groups{display:grid;grid-template-columns:repeat(3,1fr);gap:14px}
.group{display:block;text-decoration:none;background:#fff;border:1px solid #dde3ea;border-top:5px solid;
border-radius:8px;padding:12px 16px}
.group.pass{border-top-color:#1e7b34}.group.fail{border-top-color:#b42318}.group.none{border-top-color:#9aa5b1}
.group .name{font-weight:650;font-size:15px}
.group .state{font-size:22px;font-weight:800;letter-spacing:.04em;margin:2px 0}
.group.pass .state{color:#1e7b34}.group.fail .state{color:#b42318}.group.none .state{color:#616e7c}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #dde3ea;border-radius:8px;
overflow:hidden;font-size:13px;table-layout:fixed}
th{background:#eef2f6;text-align:left;font-weight:600;font-size:12px;color:#3e4c59;padding:7px 10px;
border-bottom:1px solid #dde3ea;white-space:nowrap}
td{padding:6px 8px;border-bottom:1px solid #edf0f3;vertical-align:top}
tr:last-child td{border-bottom:0}
tr.fail td{background:#fff6f5}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.name,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px}
td.where{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px;color:#3e4c59}
td.name,td.where{overflow-wrap:anywhere}td.detail,td.examples{overflow-wrap:break-word}
code{background:#f0f3f6;border-radius:3px;padding:0 4px;margin:0 3px 2px 0;display:inline-block;
overflow-wrap:anywhere}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;font-size:11px;font-weight:700;letter-spacing:.04em}
.pill.pass{background:#dcf5e3;color:#166329}.pill.fail{background:#fde3e0;color:#a11d12}
.pill.cnr{background:#fdebd0;color:#8a4b00}.pill.skip{background:#e9edf1;color:#52606d}
tr.cnr td{background:#fff8ec}tr.skip td{color:#52606d}.card.cnr{border-color:#f3c98b}
.empty{background:#fff;border:1px dashed #c8d0d9;border-radius:8px;padding:12px 16px;color:#616e7c}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:10px 12px 8px}
.card.fail{border-color:#f0b4ad}
.card .foot{font-size:12px;color:#3e4c59;margin-top:2px}
svg.chart{width:100%;height:auto;display:block}
.c-title{font-size:15px;font-weight:650;fill:#1f2933}.c-sub{font-weight:400;fill:#616e7c;font-size:12px}
.c-legend{font-size:12px;fill:#3e4c59}.c-tick{font-size:12px;fill:#3e4c59}.c-axis{font-size:12px;fill:#3e4c59}
.c-grid{stroke:#e4e8ec;stroke-width:1}.c-zero,.c-base{stroke:#9aa5b1;stroke-width:1}
footer{margin-top:36px;font-size:12px;color:#7b8794}
@media (max-width:900px){.groups,.charts{grid-template-columns:1fr}}
@media (max-width:600px){main{padding:12px 10px 32px}h1{font-size:19px}.verdict{padding:10px 14px;gap:12px}
.verdict .word{font-size:26px}.groups{gap:8px}.group{padding:8px 12px}.group .state{font-size:17px}
.meta .wide{grid-column:auto}.groups{grid-template-columns:repeat(3,minmax(0,1fr))}.group .small{display:none}
.group .name{font-size:13px}.card{padding:8px 6px}
table.figures{font-size:12px}table.figures td,table.figures th{padding:5px 5px}}
@media print{body{background:#fff}.card,table{break-inside:avoid}}
"""
