package historywork

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// ErrBadTemplate is wrapped by the error of NewHistoryArchive for a command
// template that cannot be formatted (the C++ "failed to format command
// string"), or that leaves out an argument it needs.
var ErrBadTemplate = errors.New("failed to format command string")

// HistoryArchiveConfiguration is one history archive of the configuration,
// the C++ HistoryArchiveConfiguration: a name and the command templates
// that get a file from it, put a file to it and make a directory in it.
// An empty template means the archive cannot do that.
//
// The templates are command lines (split by process.SplitCommandLine, no
// shell) with fmt-style placeholders, as in stellar-core's HISTORY entries:
// {0} and {1} (or {} for the next argument); {{ and }} are literal braces.
// A get template receives the remote name then the local path ("cp
// /archive/{0} {1}", "curl -sf https://host/{0} -o {1}"), a put template
// the local path then the remote name, and a mkdir template the remote
// directory.
type HistoryArchiveConfiguration struct {
	Name     string
	GetCmd   string
	PutCmd   string
	MkdirCmd string
}

// HistoryArchive is a history archive reached through command templates:
// the part of the C++ HistoryArchive that the history works use.
type HistoryArchive struct {
	config HistoryArchiveConfiguration
}

// NewHistoryArchive returns the archive of cfg. It checks every template
// at once, as a deliberate difference from the C++, which finds a bad
// template only when it formats it: an error wrapping ErrBadTemplate names
// the template and the fault. log, if not nil, receives the two C++ error
// lines for it (History category). A get or put template must also use
// both its arguments, {0} and {1}: one that leaves out the local path or
// the remote name could never move the file (a "curl -sf URL/{0}" without
// "-o {1}" downloads to standard output, and the C++ fails every attempt
// with ".tmp file not found"). A mkdir template may leave out its argument.
func NewHistoryArchive(cfg HistoryArchiveConfiguration, log *zap.Logger) (*HistoryArchive, error) {
	for _, t := range []struct {
		tmpl string
		args []string // what each argument is; "" if the template may leave it out
	}{{cfg.GetCmd, []string{"the remote name", "the local path"}},
		{cfg.PutCmd, []string{"the local path", "the remote name"}},
		{cfg.MkdirCmd, []string{""}}} {
		if t.tmpl == "" {
			continue
		}
		marks := make([]string, len(t.args))
		for i := range marks {
			marks[i] = fmt.Sprintf("\x00%d\x00", i)
		}
		s, err := formatString(t.tmpl, marks...)
		if err != nil {
			if log != nil {
				log.Error(fmt.Sprintf("Failed to format string \"%s\":%s", t.tmpl, err.Error()))
				log.Error("Check your HISTORY entry in configuration file")
			}
			return nil, fmt.Errorf("%w: archive %s: %q: %w", ErrBadTemplate, cfg.Name, t.tmpl, err)
		}
		for i, what := range t.args {
			if what != "" && !strings.Contains(s, marks[i]) {
				return nil, fmt.Errorf("%w: archive %s: %q does not use {%d}, %s", ErrBadTemplate, cfg.Name, t.tmpl, i, what)
			}
		}
	}
	return &HistoryArchive{config: cfg}, nil
}

// MustNewHistoryArchive is NewHistoryArchive that panics on a bad
// template, for archives written in the program.
func MustNewHistoryArchive(cfg HistoryArchiveConfiguration) *HistoryArchive {
	a, err := NewHistoryArchive(cfg, nil)
	if err != nil {
		panic(err)
	}
	return a
}

// Name returns the archive's name (the C++ getName).
func (a *HistoryArchive) Name() string { return a.config.Name }

// HasGetCmd reports whether the archive has a get template.
func (a *HistoryArchive) HasGetCmd() bool { return a.config.GetCmd != "" }

// HasPutCmd reports whether the archive has a put template.
func (a *HistoryArchive) HasPutCmd() bool { return a.config.PutCmd != "" }

// HasMkdirCmd reports whether the archive has a mkdir template.
func (a *HistoryArchive) HasMkdirCmd() bool { return a.config.MkdirCmd != "" }

// GetFileCmd returns the command that downloads remote to local, or "" if
// the archive has no get template (the C++ getFileCmd).
func (a *HistoryArchive) GetFileCmd(remote, local string) string {
	return a.format(a.config.GetCmd, remote, local)
}

// PutFileCmd returns the command that uploads local to remote, or "" if
// the archive has no put template (the C++ putFileCmd).
func (a *HistoryArchive) PutFileCmd(local, remote string) string {
	return a.format(a.config.PutCmd, local, remote)
}

// MkdirCmd returns the command that makes the remote directory remoteDir,
// or "" if the archive has no mkdir template (the C++ mkdirCmd).
func (a *HistoryArchive) MkdirCmd(remoteDir string) string {
	return a.format(a.config.MkdirCmd, remoteDir)
}

func (a *HistoryArchive) format(tmpl string, args ...string) string {
	if tmpl == "" {
		return ""
	}
	s, err := formatString(tmpl, args...)
	if err != nil {
		// NewHistoryArchive checked the template with as many arguments.
		panic(fmt.Sprintf("historywork: archive %s: template %q: %v", a.config.Name, tmpl, err))
	}
	return s
}

// formatString formats tmpl as fmt::format does with string arguments, for
// the replacement fields a command template uses: {}, {N}, and either of
// them with the :s format spec; {{ and }} are literal braces. Automatic and
// manual numbering cannot be mixed, as in fmt.
func formatString(tmpl string, args ...string) (string, error) {
	var b strings.Builder
	next, manual := 0, false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '}' {
			if i+1 < len(tmpl) && tmpl[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", errors.New("unmatched '}' in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(tmpl) && tmpl[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		end := strings.IndexByte(tmpl[i:], '}')
		if end < 0 {
			return "", errors.New("invalid format string")
		}
		field := tmpl[i+1 : i+end]
		i += end
		id, spec, _ := strings.Cut(field, ":")
		if spec != "" && spec != "s" {
			return "", errors.New("invalid format specifier")
		}
		var n int
		if id == "" {
			if manual {
				return "", errors.New("cannot switch from manual to automatic argument indexing")
			}
			n = next
			next++
		} else {
			v, err := strconv.Atoi(id)
			if err != nil || v < 0 || strings.TrimLeft(id, "0123456789") != "" {
				return "", errors.New("invalid format string")
			}
			if next > 0 {
				return "", errors.New("cannot switch from automatic to manual argument indexing")
			}
			manual = true
			n = v
		}
		if n >= len(args) {
			return "", errors.New("argument not found")
		}
		b.WriteString(args[n])
	}
	return b.String(), nil
}
