// The scoreboard badge: a shields.io endpoint document (reports/badge.json) and the same
// badge drawn offline as a small flat SVG (reports/badge.svg), no network needed.

import type { Summary } from "./report.ts";

export interface Badge {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
}

/** brightgreen only when everything corroborated; any falsified check is at best orange. */
export function badgeColor(s: Summary): string {
  if (s.score === null) return "lightgrey";
  if (s.score === 1) return "brightgreen";
  if (s.falsified === 0) return s.score >= 0.9 ? "green" : "yellow";
  return s.score >= 0.9 ? "orange" : "red";
}

export function badgeFor(s: Summary): Badge {
  const message = s.score === null ? "no checks" : `${s.corroborated}/${s.total} corroborated`;
  return { schemaVersion: 1, label: "refute", message, color: badgeColor(s) };
}

const hex: Record<string, string> = {
  brightgreen: "#4c1",
  green: "#97ca00",
  yellow: "#dfb317",
  orange: "#fe7d37",
  red: "#e05d44",
  lightgrey: "#9f9f9f",
};

// Approximate advance widths of Verdana 11px, the font shields.io uses; wide enough for layout.
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[il.,:;|!'/ ]/.test(ch) ? 3.5 : /[mwMW]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(w);
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function badgeSvg(b: Badge): string {
  const lw = textWidth(b.label) + 12;
  const mw = textWidth(b.message) + 12;
  const w = lw + mw;
  const fill = hex[b.color] ?? hex.lightgrey;
  const label = escapeXml(b.label);
  const message = escapeXml(b.message);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${label}: ${message}">`,
    `  <title>${label}: ${message}</title>`,
    `  <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `  <clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `  <g clip-path="url(#r)">`,
    `    <rect width="${lw}" height="20" fill="#555"/>`,
    `    <rect x="${lw}" width="${mw}" height="20" fill="${fill}"/>`,
    `    <rect width="${w}" height="20" fill="url(#s)"/>`,
    `  </g>`,
    `  <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`,
    `    <text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${label}</text>`,
    `    <text x="${lw / 2}" y="14">${label}</text>`,
    `    <text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${message}</text>`,
    `    <text x="${lw + mw / 2}" y="14">${message}</text>`,
    `  </g>`,
    `</svg>`,
    "",
  ].join("\n");
}
