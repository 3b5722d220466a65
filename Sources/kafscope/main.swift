import Foundation
import KafscopeApp

exit(await KafscopeMain.run())
