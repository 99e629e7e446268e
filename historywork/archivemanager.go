package historywork

import (
	"errors"
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/stellarwork/stellarwork/basicwork"
)

// ErrNoReadableArchive is the error of SelectRandomReadableHistoryArchive
// when no archive has a get template; its text is the C++ exception's.
var ErrNoReadableArchive = errors.New("No GET-enabled history archive in config")

// HistoryArchiveManager holds the configured history archives: the part of
// the C++ HistoryArchiveManager that the history works use.
type HistoryArchiveManager struct {
	archives []*HistoryArchive
	rand     basicwork.Rand
	log      *zap.Logger
}

// NewHistoryArchiveManager returns a manager of archives, which picks
// among them with rand (the C++ global random engine) and logs on log
// (History category; nil discards). It panics on a nil rand or archive.
func NewHistoryArchiveManager(rand basicwork.Rand, log *zap.Logger, archives ...*HistoryArchive) *HistoryArchiveManager {
	if rand == nil {
		panic("historywork: NewHistoryArchiveManager with a nil rand")
	}
	for i, a := range archives {
		if a == nil {
			panic(fmt.Sprintf("historywork: NewHistoryArchiveManager with a nil archive at %d", i))
		}
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &HistoryArchiveManager{archives: archives, rand: rand, log: log}
}

// Archives returns the archives, in the order given.
func (m *HistoryArchiveManager) Archives() []*HistoryArchive { return m.archives }

// GetHistoryArchive returns the archive called name, or nil (the C++
// getHistoryArchive).
func (m *HistoryArchiveManager) GetHistoryArchive(name string) *HistoryArchive {
	for _, a := range m.archives {
		if a.Name() == name {
			return a
		}
	}
	return nil
}

// SelectRandomReadableHistoryArchive picks an archive to download from, as
// the C++ does: among those with a get template and no put template if
// there are any, else among all with a get template; at random when there
// are several. It returns ErrNoReadableArchive when none can get.
func (m *HistoryArchiveManager) SelectRandomReadableHistoryArchive() (*HistoryArchive, error) {
	var archives []*HistoryArchive
	// Archives that only read are the ones not published to: prefer them.
	for _, a := range m.archives {
		if a.HasGetCmd() && !a.HasPutCmd() {
			archives = append(archives, a)
		}
	}
	if len(archives) == 0 {
		for _, a := range m.archives {
			if a.HasGetCmd() {
				archives = append(archives, a)
			}
		}
	}
	switch len(archives) {
	case 0:
		return nil, ErrNoReadableArchive
	case 1:
		m.logf(zapcore.DebugLevel, "Fetching from sole readable history archive '%s'", archives[0].Name())
		return archives[0], nil
	}
	i := int(m.rand.Uniform(0, uint64(len(archives)-1)))
	m.logf(zapcore.DebugLevel, "Fetching from readable history archive #%d, '%s'", i, archives[i].Name())
	return archives[i], nil
}

func (m *HistoryArchiveManager) logf(l zapcore.Level, format string, args ...any) {
	if m.log.Core().Enabled(l) {
		m.log.Log(l, fmt.Sprintf(format, args...))
	}
}
