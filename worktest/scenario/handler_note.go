package scenario

import (
	"fmt"
	"strings"
)

// handleNote writes free text into the trace, "note <text>", each {expr}
// in it replaced by the value of the expression:
//
//	note <text>
//
// At directive level each input line is one more note, written exactly
// (the command line itself goes through datadriven's parser).
func (e *Env) handleNote(c *command) error {
	texts := c.lines
	if c.rest != "" {
		texts = append([]string{c.rest}, texts...)
	}
	for _, t := range texts {
		s, err := e.interpolate(t)
		if err != nil {
			return err
		}
		e.r.Note(s)
	}
	return nil
}

// interpolate replaces each {expr} in text by the value of the expression:
// an integer in decimal, a boolean as true or false, a state by its C++
// name, a string (a status) as it is, a work by its name. {{ and }} write
// a brace.
func (e *Env) interpolate(text string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch ch := text[i]; {
		case ch == '{' && strings.HasPrefix(text[i:], "{{"), ch == '}' && strings.HasPrefix(text[i:], "}}"):
			b.WriteByte(ch)
			i++
		case ch == '{':
			end := strings.IndexByte(text[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("%q: { has no }", text)
			}
			x, err := e.lang.compile(text[i+1 : i+end])
			if err != nil {
				return "", err
			}
			v, err := x.value(e)
			if err != nil {
				return "", err
			}
			b.WriteString(v.text())
			i += end
		case ch == '}':
			return "", fmt.Errorf("%q: } without {", text)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String(), nil
}
