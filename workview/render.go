package workview

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Render draws the snapshot as the status view: a header, then one line
// per work, indented as a tree, with its state, its time in that state,
// its retries used out of its budget, and its status string:
//
//	WORK              STATE    IN STATE  RETRIES  STATUS
//	catchup           RUNNING      4.0s  0/0      Running: catchup : 1/2 children completed
//	└─ download-0127  WAITING      1.0s  1/5      Retrying in 2 sec: download-0127
//
// The STATE column shows the internal state without its "WORK_" prefix;
// times are rounded down to the tenth of a second (see FormatDuration).
//
// The tree is indented MaxRenderIndent levels at most: a deeper work's name
// follows the indentation of that level and its depth in brackets, as in
// "│  │  [40] └─ name", so that each line is bounded and the text linear in
// the number of works.
func (n Node) Render() string {
	var b strings.Builder
	n.render(&b)
	return b.String()
}

// WriteTo writes Render's text to w.
func (n Node) WriteTo(w io.Writer) (int64, error) {
	k, err := io.WriteString(w, n.Render())
	return int64(k), err
}

// MaxRenderIndent is how many levels of the tree Render indents; see
// Render.
const MaxRenderIndent = 32

type row struct {
	tree, state, inState, retries, status string
}

func (n Node) render(b *strings.Builder) {
	rows := []row{{"WORK", "STATE", "IN STATE", "RETRIES", "STATUS"}}
	var add func(c *Node, prefix, branch string, depth int)
	add = func(c *Node, prefix, branch string, depth int) {
		tree := prefix + branch + c.Name
		if depth > MaxRenderIndent {
			tree = prefix + "[" + strconv.Itoa(depth) + "] " + branch + c.Name
		}
		rows = append(rows, row{
			tree:    tree,
			state:   strings.TrimPrefix(c.State.String(), "WORK_"),
			inState: FormatDuration(c.InState),
			retries: fmt.Sprintf("%d/%d", c.Retries, c.MaxRetries),
			status:  c.Status,
		})
		// The children line up under the first letter of this name, down
		// to MaxRenderIndent levels.
		if depth < MaxRenderIndent {
			switch branch {
			case "├─ ":
				prefix += "│  "
			case "└─ ":
				prefix += "   "
			}
		}
		for i := range c.Children {
			br := "├─ "
			if i == len(c.Children)-1 {
				br = "└─ "
			}
			add(&c.Children[i], prefix, br, depth+1)
		}
	}
	add(&n, "", "", 0)

	var wTree, wState, wIn, wRetries int
	for _, r := range rows {
		wTree = max(wTree, utf8.RuneCountInString(r.tree))
		wState = max(wState, len(r.state))
		wIn = max(wIn, len(r.inState))
		wRetries = max(wRetries, len(r.retries))
	}
	for _, r := range rows {
		b.WriteString(r.tree)
		b.WriteString(strings.Repeat(" ", wTree-utf8.RuneCountInString(r.tree)+2))
		fmt.Fprintf(b, "%-*s  %*s  %-*s  %s", wState, r.state, wIn, r.inState, wRetries, r.retries, r.status)
		b.WriteByte('\n')
	}
}

// FormatDuration writes d compactly, rounded down to the tenth of a
// second: "0.0s", "12.3s", "1m02.5s", "2h03m04s".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	tenths := int64(d / (100 * time.Millisecond))
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d.%ds", tenths/10, tenths%10)
	case d < time.Hour:
		return fmt.Sprintf("%dm%02d.%ds", tenths/600, tenths/10%60, tenths%10)
	}
	s := int64(d / time.Second)
	return fmt.Sprintf("%dh%02dm%02ds", s/3600, s/60%60, s%60)
}
