import Testing
@testable import TesseraReport
