package finals

import "github.com/stellarwork/stellarwork/basicwork"

// Impostor redeclares the C++ non-virtual BasicWork methods that the
// library calls through the outer value (review M1): each hides
// BasicWork's own, and Init refuses it.
type Impostor struct {
	basicwork.BasicWork
}

func (w *Impostor) OnRun() basicwork.State { return basicwork.Success }
func (w *Impostor) OnAbort() bool          { return true }

func (w *Impostor) Name() string { return "impostor" } // want `Impostor\.Name overrides basicwork\.BasicWork\.Name, the port of the C\+\+ non-virtual BasicWork::getName: .*another name`

func (w *Impostor) State() basicwork.State { return basicwork.Success } // want `Impostor\.State overrides basicwork\.BasicWork\.State, the port of the C\+\+ non-virtual BasicWork::getState`

func (w *Impostor) IsDone() bool { return true } // want `Impostor\.IsDone overrides basicwork\.BasicWork\.IsDone, the port of the C\+\+ non-virtual BasicWork::isDone`

func (w *Impostor) IsAborting() bool { return false } // want `Impostor\.IsAborting overrides basicwork\.BasicWork\.IsAborting, the port of the C\+\+ non-virtual BasicWork::isAborting`

func (w *Impostor) CrankWork() {} // want `Impostor\.CrankWork overrides basicwork\.BasicWork\.CrankWork, the port of the C\+\+ non-virtual BasicWork::crankWork`

func (w *Impostor) StartWork(func()) {} // want `Impostor\.StartWork overrides basicwork\.BasicWork\.StartWork, the port of the C\+\+ non-virtual BasicWork::startWork`

// DeepImpostor reaches BasicWork through work.Work (in the Group-like
// types): its State hides BasicWork's two embeddings down.
type DeepImpostor struct {
	Parent
}

func (w *DeepImpostor) State() basicwork.State { return basicwork.Running } // want `DeepImpostor\.State overrides basicwork\.BasicWork\.State, the port of the C\+\+ non-virtual BasicWork::getState`
