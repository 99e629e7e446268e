package historywork

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The file types of a history archive (the C++ typeString of FileType).
const (
	FileTypeBucket       = "bucket"
	FileTypeLedger       = "ledger"
	FileTypeTransactions = "transactions"
	FileTypeResults      = "results"
	FileTypeSCP          = "scp"
)

// FileTransferInfo names one file of a history archive both remotely and
// locally: the C++ FileTransferInfo of a checkpoint file. Its remote name
// is "type/aa/bb/cc/type-aabbccdd.xdr.gz" and its local paths are in the
// same layout under a download directory.
type FileTransferInfo struct {
	typ        string
	hexDigits  string
	checkpoint uint32
	localPath  string // of the file without .gz
}

// ErrWhitespace is wrapped by the error of NewFileTransferInfo for a local
// path with whitespace in it.
var ErrWhitespace = errors.New("path has whitespace, which a command line cannot carry")

// NewFileTransferInfo returns the file of type typ (FileTypeLedger, ...)
// for checkpoint, to be downloaded under dir, and creates its local
// directory, dir/type/aa/bb/cc, as the C++ constructor from a TmpDir does.
// It returns the error of that mkdir, or, creating nothing, an error
// wrapping ErrWhitespace if the local path has whitespace: the commands
// that move the file are split at whitespace (process.SplitCommandLine, as
// in stellar-core, which takes such a path and fails every attempt to
// download to it).
func NewFileTransferInfo(dir, typ string, checkpoint uint32) (FileTransferInfo, error) {
	ft := FileTransferInfo{typ: typ, hexDigits: hexStr(checkpoint), checkpoint: checkpoint}
	localDir := filepath.Join(dir, remoteDir(typ, ft.hexDigits))
	if strings.ContainsAny(localDir, " \t\n\v\f\r") {
		return FileTransferInfo{}, fmt.Errorf("historywork: %w: %q", ErrWhitespace, localDir)
	}
	if err := os.MkdirAll(localDir, 0o755); err != nil {
		return FileTransferInfo{}, err
	}
	ft.localPath = localDir + "/" + ft.BaseNameNoGz()
	return ft, nil
}

// Type returns the file type, such as "ledger" (the C++ getTypeString).
func (ft FileTransferInfo) Type() string { return ft.typ }

// Checkpoint returns the checkpoint ledger the file is for.
func (ft FileTransferInfo) Checkpoint() uint32 { return ft.checkpoint }

// HexDigits returns the checkpoint as eight hex digits.
func (ft FileTransferInfo) HexDigits() string { return ft.hexDigits }

// LocalPathNoGz returns the local path of the unzipped file (the C++
// localPath_nogz).
func (ft FileTransferInfo) LocalPathNoGz() string { return ft.localPath }

// LocalPathGz returns the local path of the gzipped file (localPath_gz).
func (ft FileTransferInfo) LocalPathGz() string { return ft.localPath + ".gz" }

// LocalPathGzTmp returns the local path a download goes to before it is
// renamed to LocalPathGz (localPath_gz_tmp).
func (ft FileTransferInfo) LocalPathGzTmp() string { return ft.localPath + ".gz.tmp" }

// BaseNameNoGz returns "type-hex.xdr" (baseName_nogz).
func (ft FileTransferInfo) BaseNameNoGz() string { return baseName(ft.typ, ft.hexDigits, "xdr") }

// BaseNameGz returns "type-hex.xdr.gz" (baseName_gz).
func (ft FileTransferInfo) BaseNameGz() string { return ft.BaseNameNoGz() + ".gz" }

// RemoteDir returns "type/aa/bb/cc" (remoteDir).
func (ft FileTransferInfo) RemoteDir() string { return remoteDir(ft.typ, ft.hexDigits) }

// RemoteName returns "type/aa/bb/cc/type-hex.xdr.gz", the file's name in
// the archive (remoteName).
func (ft FileTransferInfo) RemoteName() string { return remoteName(ft.typ, ft.hexDigits, "xdr.gz") }
