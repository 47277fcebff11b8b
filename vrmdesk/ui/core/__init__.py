"""What every part of the desktop application builds on: the controller over the open vault,
off-thread tasks with progress, preferences, the page base class and how failures are told."""
