package historywork

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/stellarwork/stellarwork/basicwork"
)

// TestFormatString: the fmt::format fields of stellar-core's templates.
func TestFormatString(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"cp /a/{0} {1}", "cp /a/R L"},
		{"curl -sf http://h/{0} -o {1}", "curl -sf http://h/R -o L"},
		{"cp {} {}", "cp R L"},
		{"cp {1} {0}", "cp L R"},
		{"cp {0:s} {1:s}", "cp R L"},
		{"echo {{0}} {0}", "echo {0} R"},
		{"{0}{0}", "RR"},
		{"plain", "plain"},
	} {
		got, err := formatString(c.tmpl, "R", "L")
		if err != nil || got != c.want {
			t.Errorf("formatString(%q) = %q, %v; want %q", c.tmpl, got, err, c.want)
		}
	}
	for _, tmpl := range []string{"cp {2} x", "cp {0", "cp }", "cp {0} {}", "cp {} {1}", "cp {x}", "cp {0:d}", "cp {-1}"} {
		if got, err := formatString(tmpl, "R", "L"); err == nil {
			t.Errorf("formatString(%q) = %q, want an error", tmpl, got)
		}
	}
}

// TestNewHistoryArchiveChecksTemplates: a bad template is refused at once,
// with the C++ log lines.
func TestNewHistoryArchiveChecksTemplates(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	_, err := NewHistoryArchive(HistoryArchiveConfiguration{Name: "bad", GetCmd: "cp {0} {1}", MkdirCmd: "mkdir {1}"}, zap.New(core))
	if !errors.Is(err, ErrBadTemplate) {
		t.Fatalf("err %v, want ErrBadTemplate", err)
	}
	all := logs.All()
	if len(all) != 2 || all[0].Message != `Failed to format string "mkdir {1}":argument not found` ||
		all[1].Message != "Check your HISTORY entry in configuration file" {
		t.Errorf("logs %v", all)
	}
	a := MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "a", GetCmd: "get {0} {1}"})
	if !a.HasGetCmd() || a.HasPutCmd() || a.HasMkdirCmd() || a.PutFileCmd("l", "r") != "" || a.MkdirCmd("d") != "" {
		t.Errorf("archive without put or mkdir: %+v", a)
	}
	if got := a.GetFileCmd("r", "l"); got != "get r l" {
		t.Errorf("get %q", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "failed to format command string") {
			t.Errorf("MustNewHistoryArchive: recovered %v", r)
		}
	}()
	MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "b", PutCmd: "put {"})
}

// TestTemplateMustUseItsArguments: a get or put template that leaves out
// {0} or {1} is refused when the archive is made (a get without the local
// path, such as a curl without -o, used to fail every attempt with ".tmp
// file not found"); a mkdir template may leave out its directory, and an
// argument may be used twice or through {}.
func TestTemplateMustUseItsArguments(t *testing.T) {
	for _, cfg := range []HistoryArchiveConfiguration{
		{GetCmd: "curl -sf https://host/{0}"},
		{GetCmd: "cp /archive/x {1}"},
		{GetCmd: "   "},
		{PutCmd: "aws s3 cp {0} s3://bucket/"},
		{PutCmd: "cp /x /archive/{1}"},
	} {
		cfg.Name = "a"
		_, err := NewHistoryArchive(cfg, nil)
		if !errors.Is(err, ErrBadTemplate) || !strings.Contains(err.Error(), "does not use {") {
			t.Errorf("%+v: %v, want ErrBadTemplate naming the argument left out", cfg, err)
		}
	}
	for _, cfg := range []HistoryArchiveConfiguration{
		{GetCmd: "curl -sf https://host/{0} -o {1}", PutCmd: "cp {0} /archive/{1}", MkdirCmd: "true"},
		{GetCmd: "cp {} {}", PutCmd: "sh -x {1} {0} {0}", MkdirCmd: "mkdir -p /archive/{0}"},
	} {
		cfg.Name = "a"
		if _, err := NewHistoryArchive(cfg, nil); err != nil {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}

// TestSelectRandomReadableHistoryArchive: get-only archives are preferred;
// else any with a get; none is ErrNoReadableArchive.
func TestSelectRandomReadableHistoryArchive(t *testing.T) {
	rw := MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "rw", GetCmd: "g {0} {1}", PutCmd: "p {0} {1}"})
	ro1 := MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "ro1", GetCmd: "g {0} {1}"})
	ro2 := MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "ro2", GetCmd: "g {0} {1}"})
	wo := MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "wo", PutCmd: "p {0} {1}"})

	m := NewHistoryArchiveManager(basicwork.UpperBound{}, nil, rw, ro1, wo, ro2)
	if a, err := m.SelectRandomReadableHistoryArchive(); err != nil || a != ro2 {
		t.Errorf("upper bound picks %v, %v; want ro2, the last get-only", a, err)
	}
	m = NewHistoryArchiveManager(basicwork.LowerBound{}, nil, rw, ro1, wo, ro2)
	if a, _ := m.SelectRandomReadableHistoryArchive(); a != ro1 {
		t.Errorf("lower bound picks %v, want ro1", a)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	m = NewHistoryArchiveManager(basicwork.UpperBound{}, zap.New(core), wo, rw)
	if a, _ := m.SelectRandomReadableHistoryArchive(); a != rw {
		t.Errorf("without get-only archives: %v, want rw", a)
	}
	if logs.FilterMessage("Fetching from sole readable history archive 'rw'").Len() != 1 {
		t.Errorf("logs %v", logs.All())
	}
	m = NewHistoryArchiveManager(basicwork.UpperBound{}, nil, wo)
	if _, err := m.SelectRandomReadableHistoryArchive(); err != ErrNoReadableArchive || err.Error() != "No GET-enabled history archive in config" {
		t.Errorf("err %v", err)
	}
	if m.GetHistoryArchive("wo") != wo || m.GetHistoryArchive("none") != nil {
		t.Error("GetHistoryArchive")
	}
}

// TestFileTransferInfoWhitespace: a download directory with whitespace is
// refused, and nothing is created: a get to it would be split into the
// wrong arguments (cp A /my dir/x.gz.tmp) and fail every attempt.
func TestFileTransferInfoWhitespace(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{filepath.Join(root, "my dir"), filepath.Join(root, "tab\there")} {
		_, err := NewFileTransferInfo(dir, FileTypeLedger, 63)
		if quoted := fmt.Sprintf("%q", dir); !errors.Is(err, ErrWhitespace) || !strings.Contains(err.Error(), quoted[:len(quoted)-1]) {
			t.Errorf("%q: %v, want ErrWhitespace naming the path", dir, err)
		}
	}
	if _, err := NewFileTransferInfo(root, "led ger", 63); !errors.Is(err, ErrWhitespace) {
		t.Errorf("type with a space: %v", err)
	}
	if left, _ := os.ReadDir(root); len(left) != 0 {
		t.Errorf("created %v", left)
	}
	if _, err := NewFileTransferInfo(filepath.Join(root, "a;b$c"), FileTypeLedger, 63); err != nil {
		t.Errorf("metacharacters, which no shell sees: %v", err)
	}
}

// TestFileTransferInfo: the C++ names of a checkpoint file.
func TestFileTransferInfo(t *testing.T) {
	dir := t.TempDir()
	ft, err := NewFileTransferInfo(dir, FileTypeTransactions, 0x1234567f)
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		ft.RemoteName():     "transactions/12/34/56/transactions-1234567f.xdr.gz",
		ft.RemoteDir():      "transactions/12/34/56",
		ft.BaseNameGz():     "transactions-1234567f.xdr.gz",
		ft.LocalPathNoGz():  dir + "/transactions/12/34/56/transactions-1234567f.xdr",
		ft.LocalPathGz():    dir + "/transactions/12/34/56/transactions-1234567f.xdr.gz",
		ft.LocalPathGzTmp(): dir + "/transactions/12/34/56/transactions-1234567f.xdr.gz.tmp",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	if !exists(dir + "/transactions/12/34/56") {
		t.Error("local directory not made")
	}
	if fmtProgress("t", 0, 0) != "t 0/0 (100%)" || fmtProgress("t", 3, 7) != "t 3/3 (100%)" || fmtProgress("t", 3, 0) != "t 1/3 (33%)" {
		t.Error("fmtProgress")
	}
}

// TestGzipSuffixMisuse: the C++ constructors' suffix checks, as panics
// naming the work.
func TestGzipSuffixMisuse(t *testing.T) {
	e := newEnv(t, "")
	for name, f := range map[string]func(){
		"gzip-file a.gz: filename ends in .gz":        func() { NewGzipFileWork(e.app, "a.gz", false) },
		"gunzip-file a: filename does not end in .gz": func() { NewGunzipFileWork(e.app, "a", false, 0) },
		"put-remote-file r needs an archive with a put command": func() {
			NewPutRemoteFileWork(e.app, "l", "r", MustNewHistoryArchive(HistoryArchiveConfiguration{Name: "ro", GetCmd: "g {0} {1}"}))
		},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), name) {
					t.Errorf("recovered %v, want %q", r, name)
				}
			}()
			f()
		}()
	}
}
