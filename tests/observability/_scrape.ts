/** Fetches `url` and returns the body text. */
export async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  return await response.text();
}

/** The value of the sample line `series` (name with labels, exactly as rendered), or undefined. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
