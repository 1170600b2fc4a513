//! Hand-offs to the credit officers (SPEC §6). So far: the routing of a division's interested
//! companies, per product, to a chat.

use super::ids::RegionCode;
use super::prospect::Product;

/// Where a division's hand-offs of one product go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub region: RegionCode,
    pub product: Product,
    /// A group chat the bot is a member of (negative id).
    pub chat_id: i64,
}
