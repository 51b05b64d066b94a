import NIOCore
import NIOPosix
import NIOSSL
