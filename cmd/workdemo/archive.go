package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/stellarwork/stellarwork/historywork"
)

// The local archive the demo catches up from, built in its work directory:
//
//	archive/ledger/00/00/00/ledger-0000003f.xdr.gz   one gzipped file per checkpoint
//	archive/ledger-manifest.sha256                    "HEX  REMOTE-NAME" of each unzipped file
//	flaky-get                                         the flaky get command, a shell script
//	flaky/ledger-0000003f.xdr.gz                      how many more gets of that file fail
//	download/...                                      the catchup's downloads
//	tmp/                                              the application's TmpDir
const (
	archiveDirName  = "archive"
	manifestName    = "ledger-manifest.sha256"
	flakyScriptName = "flaky-get"
	flakyStateName  = "flaky"
	downloadDirName = "download"
	tmpDirName      = "tmp"
)

// flakyScript is a get command that fails while the count in its state file
// for the remote file is positive (decrementing it), and copies otherwise.
// The counts are drawn from the seed when the archive is built, per file,
// so that which attempts fail does not depend on the order the downloads
// run in. It finds its state directory next to itself: no path is written
// into the script, where a shell would read the work directory's
// metacharacters.
const flakyScript = `#!/bin/sh
# flaky-get REMOTE LOCAL: copy REMOTE to LOCAL, unless a failure is due.
state="${0%/*}/` + flakyStateName + `/${1##*/}"
read n < "$state" || exit 2
if [ "$n" -gt 0 ]; then
	echo $((n - 1)) > "$state"
	exit 1
fi
exec cp "$1" "$2"
`

// maxFlakyFailures bounds the failures drawn for one file: the 33 attempts
// of a GetAndUnzipRemoteFileWork (RetryALot) and a few more, so that a file
// can fail for good.
const maxFlakyFailures = 40

// archive is the demo's local archive.
type archive struct {
	root     string // the work directory
	getCmd   string // the archive's get template
	files    []historywork.FileTransferInfo
	manifest map[string][sha256.Size]byte // by remote name
	gzBytes  int64                        // the archive's gzipped bytes
	failures int                          // get failures drawn in all
}

// checkpointContent returns the contents of a checkpoint's ledger file: 16
// to 48 KiB of seeded, compressible bytes (as XDR is).
func checkpointContent(seed uint64, checkpoint uint32) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(checkpoint)))
	b := make([]byte, 16<<10+r.IntN(32<<10))
	for i := range b {
		b[i] = byte('a' + r.IntN(16))
	}
	return b
}

// buildArchive writes the archive of checkpoints under root: each file
// gzipped, the manifest, and, when failureRate > 0, the flaky get command
// and its counts. It reads the manifest back, as a catchup would.
func buildArchive(root string, checkpoints []uint32, seed uint64, failureRate float64) (*archive, error) {
	if strings.ContainsAny(root, " \t\n\v\f\r") {
		return nil, fmt.Errorf("work directory %q has whitespace, which command lines cannot carry", root)
	}
	a := &archive{root: root}
	archiveDir := filepath.Join(root, archiveDirName)
	var manifest bytes.Buffer
	flaky := rand.New(rand.NewPCG(seed, 0xf1a4))
	for _, cp := range checkpoints {
		ft, err := historywork.NewFileTransferInfo(filepath.Join(root, downloadDirName), historywork.FileTypeLedger, cp)
		if err != nil {
			return nil, err
		}
		data := checkpointContent(seed, cp)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return nil, err
		}
		remote := filepath.Join(archiveDir, ft.RemoteName())
		if err := os.MkdirAll(filepath.Dir(remote), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(remote, gz.Bytes(), 0o644); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), ft.RemoteName())
		a.gzBytes += int64(gz.Len())
		a.files = append(a.files, ft)

		if failureRate > 0 {
			n := 0
			for n < maxFlakyFailures && flaky.Float64() < failureRate {
				n++
			}
			a.failures += n
			state := filepath.Join(root, flakyStateName, ft.BaseNameGz())
			if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(state, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
				return nil, err
			}
		}
	}
	if err := os.WriteFile(filepath.Join(archiveDir, manifestName), manifest.Bytes(), 0o644); err != nil {
		return nil, err
	}
	a.getCmd = "cp " + templateLiteral(archiveDir) + "/{0} {1}"
	if failureRate > 0 {
		script := filepath.Join(root, flakyScriptName)
		if err := os.WriteFile(script, []byte(flakyScript), 0o755); err != nil {
			return nil, err
		}
		a.getCmd = templateLiteral(script) + " " + templateLiteral(archiveDir) + "/{0} {1}"
	}
	var err error
	a.manifest, err = readManifest(filepath.Join(archiveDir, manifestName))
	return a, err
}

// templateLiteral escapes the braces of s for a command template, in which
// { and } open and close placeholders: a work directory named x{0}y must
// stay itself.
func templateLiteral(s string) string {
	return strings.NewReplacer("{", "{{", "}", "}}").Replace(s)
}

// readManifest reads "HEX  NAME" lines.
func readManifest(path string) (map[string][sha256.Size]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string][sha256.Size]byte{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sumHex, name, ok := strings.Cut(sc.Text(), "  ")
		b, err := hex.DecodeString(sumHex)
		if !ok || err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("%s: bad line %q", path, sc.Text())
		}
		m[name] = [sha256.Size]byte(b)
	}
	return m, sc.Err()
}
