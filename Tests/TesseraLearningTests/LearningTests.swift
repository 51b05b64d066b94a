import Testing
@testable import TesseraLearning
