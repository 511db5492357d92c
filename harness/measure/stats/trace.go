package stats

// Trace is a raw timeline kept beside the measurements so a report can be
// re-analysed later: rows of numbers under named columns, such as the LED
// edges ("t_ms", "level") or a burst's arrivals ("t_ms", "bytes").
type Trace struct {
	Name    string      `json:"name"`
	Columns []string    `json:"columns"`
	Rows    [][]float64 `json:"rows"`
	Source  string      `json:"source,omitempty"` // where the times came from, e.g. "kernel" for LED edges
}
