"""The command line: a thin layer that parses options, calls one public function, and renders."""
