//! The virtual glove: a stroke model of MLD practice, trainee styles, sensor imperfections, and firmware emulation over a pseudo-terminal.
