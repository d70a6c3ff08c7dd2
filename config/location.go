package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Location is where the config file is read from.
type Location struct {
	Path string `json:"path"`
	// Via says how Path was chosen: "$INITWATCH_CONFIG",
	// "$XDG_CONFIG_HOME" or "home".
	Via string `json:"via"`
	// Exists is false when there is no file there; that is fine unless
	// $INITWATCH_CONFIG named it.
	Exists bool `json:"exists"`
}

// Locate finds the config file's path: $INITWATCH_CONFIG, else
// $XDG_CONFIG_HOME/initwatch/config.yaml, else
// ~/.config/initwatch/config.yaml. It does not read the file.
func Locate(getenv func(string) (string, bool)) (Location, error) {
	var loc Location
	if p, ok := getenv(EnvConfig); ok && p != "" {
		loc = Location{Path: p, Via: "$" + EnvConfig}
	} else if x, ok := getenv("XDG_CONFIG_HOME"); ok && filepath.IsAbs(x) {
		// The XDG spec says a relative XDG_CONFIG_HOME is invalid and
		// must be ignored.
		loc = Location{Path: filepath.Join(x, "initwatch", "config.yaml"), Via: "$XDG_CONFIG_HOME"}
	} else {
		home, ok := getenv("HOME")
		if !ok || home == "" {
			home, ok = getenv("USERPROFILE") // Windows
		}
		if !ok || home == "" {
			return Location{}, errors.New("config: cannot find the config file: neither $XDG_CONFIG_HOME nor $HOME is set")
		}
		loc = Location{Path: filepath.Join(home, ".config", "initwatch", "config.yaml"), Via: "home"}
	}
	_, err := os.Stat(loc.Path)
	switch {
	case err == nil:
		loc.Exists = true
	case errors.Is(err, fs.ErrNotExist):
	default:
		return loc, fmt.Errorf("config %s: %w", display(loc.Path), unwrapPath(err))
	}
	return loc, nil
}

// unwrapPath drops the path a *fs.PathError repeats, since messages here
// already start with it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
