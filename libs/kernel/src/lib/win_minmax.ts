/**
 * lib/win_minmax.c: Kathleen Nichols' windowed min/max, kept as three samples (best, 2nd best, 3rd best)
 * so the minimum over a sliding window costs O(1). TCP keeps its min RTT over tcp_min_rtt_wlen so.
 */
export interface MinmaxSample {
  t: number;
  v: number;
}

function minmax_reset(m: MinmaxSample[], t: number, meas: number): number {
  m.length = 0;
  m.push({ t, v: meas }, { t, v: meas }, { t, v: meas });
  return meas;
}

/** minmax_subwin_update: as time passes, promote the 2nd and 3rd choices. */
function minmax_subwin_update(m: MinmaxSample[], win: number, val: MinmaxSample): number {
  const dt = val.t - m[0].t;
  if (dt > win) {
    // The best sample is outside the window: take the 2nd and 3rd choices.
    m[0] = m[1];
    m[1] = m[2];
    m[2] = val;
    if (val.t - m[0].t > win) {
      m[0] = m[1];
      m[1] = m[2];
      m[2] = val;
    }
  } else if (m[1].t === m[0].t && dt > win / 4) {
    // A quarter of the window passed without a better 2nd choice: take one from the 2nd quarter.
    m[2] = m[1] = val;
  } else if (m[2].t === m[1].t && dt > win / 2) {
    m[2] = val;
  }
  return m[0].v;
}

/** minmax_running_min: check if a new measurement updates the 1st, 2nd or 3rd choice min. */
export function minmax_running_min(m: MinmaxSample[], win: number, t: number, meas: number): number {
  const val = { t, v: meas };
  if (m.length < 3 || val.v <= m[0].v || val.t - m[2].t > win) return minmax_reset(m, t, meas);
  if (val.v <= m[1].v) m[2] = m[1] = val;
  else if (val.v <= m[2].v) m[2] = val;
  return minmax_subwin_update(m, win, val);
}

/** minmax_get */
export function minmax_get(m: MinmaxSample[]): number {
  return m.length ? m[0].v : 0xffffffff;
}
